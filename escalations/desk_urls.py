from django.urls import path

from escalations import desk_views

app_name = "escalations"

urlpatterns = [
    path("conversations/<int:conversation_id>/escalate/", desk_views.escalate, name="escalate"),
    path("<int:pk>/info/", desk_views.add_info, name="add-info"),
    path("<int:pk>/withdraw/", desk_views.withdraw, name="withdraw"),
    path("overview/", desk_views.overview, name="overview"),
]
