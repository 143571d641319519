app_name = "failures"

urlpatterns: list = []
