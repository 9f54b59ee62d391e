from django.urls import path

from courseware import views

app_name = "courseware"
urlpatterns = [
    path("", views.index, name="index"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
]
