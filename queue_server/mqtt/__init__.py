"""The server's MQTT side: broker, client, kiosk request handlers, state publisher."""
