"""The gateway server: TCP sessions, request dispatch, market-data streams, saved state, faults, runners."""
