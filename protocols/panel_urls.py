from django.urls import path

from protocols import panel

app_name = "suggestions"

urlpatterns = [path("<int:conversation_id>/", panel.suggestions, name="panel")]
