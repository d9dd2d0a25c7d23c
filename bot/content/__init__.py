"""Content packs: an op-ed's cleaned text and the material the bot serves from it."""
