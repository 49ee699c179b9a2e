"""The server's MQTT adapter: kiosk request handlers (and, in issue 3, the publisher)."""
