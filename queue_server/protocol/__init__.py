"""The MQTT wire contract (v1): topics and messages. Imports no server internals."""
