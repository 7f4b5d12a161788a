"""MQTT: the session on any dashboard, and remote control through the session's own command path.

Pure modules (no I/O, no asyncio): `settings` (broker URL, TLS files, topic root, switches,
from options, environment and the config file), `topics`, `payloads` (what each topic
carries, and validation of inbound commands), `discovery` (Home Assistant MQTT discovery),
`outbox` (the bounded publish queue), `board` (the coach's table).

`link` is the one module that imports aiomqtt; `bridge` (a running session on the broker)
and `watch` (every treadmill on the broker) are the async shells built on it. Importing this
package loads none of them.

Topics and payloads are documented in docs/mqtt.md.
"""
