"""oped-bot: the platform-neutral core of a discussion bot about an op-ed."""

__version__ = "0.1.0"
