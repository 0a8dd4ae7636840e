from django.urls import path

from . import views

app_name = "destruction"

urlpatterns = [
    path("", views.list_index, name="index"),
    path("expired/", views.expired, name="expired"),
    path("holds/", views.holds, name="holds"),
    path("holds/<int:hold_id>/lift/", views.hold_lift, name="hold_lift"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/appraise/", views.appraise, name="appraise"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/destroy/", views.destroy, name="destroy"),
    path("<int:pk>/items/<int:item_id>/withdraw/", views.withdraw, name="withdraw"),
]
