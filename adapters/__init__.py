"""Platform adapters: translate platform events to core requests and core replies back."""
