"""Scheduled debate prompts: cron arithmetic, prompt rotation and the posts they make."""
