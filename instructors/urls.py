from django.urls import path

from instructors import joining, views

app_name = "instructors"
urlpatterns = [
    path("", views.cohort_list, name="cohorts"),
    path("<slug:slug>/", views.cohort, name="cohort"),
    path("<slug:slug>/join-code/", joining.manage_join_code, name="join-code"),
    path("<slug:slug>/topics.csv", views.cohort_topics_csv, name="cohort-topics-csv"),
    path("<slug:slug>/table/", views.cohort_table, name="cohort-table"),
    path("<slug:slug>/table.csv", views.cohort_table_csv, name="cohort-table-csv"),
    path("<slug:slug>/exercises/", views.exercises, name="exercises"),
    path("<slug:slug>/exercises.csv", views.exercises_csv, name="exercises-csv"),
    path("<slug:slug>/exercises/<int:pk>/", views.exercise, name="exercise"),
    path("<slug:slug>/exercises/<int:pk>/wrong-answers.csv", views.exercise_csv, name="exercise-csv"),
    path("<slug:slug>/exercises/<int:pk>/feedback/", views.attach_feedback, name="attach-feedback"),
    path("<slug:slug>/students/<int:user_id>/", views.student, name="student"),
    path("<slug:slug>/students/<int:user_id>/unlock/", views.student_unlock, name="student-unlock"),
    path("<slug:slug>/students/<int:user_id>/history.csv", views.student_csv, name="student-csv"),
]
