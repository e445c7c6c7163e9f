"""The TWS API socket protocol, server side: frames, message ids, request parsers, answer encoders."""
