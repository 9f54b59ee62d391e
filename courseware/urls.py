from django.urls import path

from courseware import views

app_name = "courseware"
urlpatterns = [
    path("", views.index, name="index"),
    path("map/", views.topic_map, name="map"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accounts/signup/", views.signup, name="signup"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("topics/<slug:slug>/exercises/<slug:exercise_slug>/progress", views.exercise_panel, name="exercise-progress"),
    path("topics/<slug:slug>/exercises/<slug:exercise_slug>/answers", views.answer, name="answer"),
    path(
        "topics/<slug:slug>/exercises/<slug:exercise_slug>/answers/<int:submission_id>",
        views.answer_verdict,
        name="answer-verdict",
    ),
]
