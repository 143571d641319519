def seed(ctx):
    """Add this tab's demo data. ``ctx`` holds the demo register (see portal.demo)."""
