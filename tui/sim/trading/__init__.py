"""The paper account behind the gateway: matching engine, orders, account."""
