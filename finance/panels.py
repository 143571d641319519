def home_panel(request):
    """Start-page panel of this tab; None until the tab is built."""
    return None
