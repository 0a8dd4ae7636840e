from django.urls import path

from . import views

app_name = "destruction"

urlpatterns = [
    path("", views.list_index, name="index"),
    path("expired/", views.expired, name="expired"),
    path("holds/", views.holds, name="holds"),
    path("holds/<id:hold_id>/lift/", views.hold_lift, name="hold_lift"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/register/", views.register, name="register"),
    path("<id:pk>/submit/", views.submit, name="submit"),
    path("<id:pk>/appraise/", views.appraise, name="appraise"),
    path("<id:pk>/approve/", views.approve, name="approve"),
    path("<id:pk>/reject/", views.reject, name="reject"),
    path("<id:pk>/verify/", views.verify, name="verify"),
    path("<id:pk>/destroy/", views.destroy, name="destroy"),
    path("<id:pk>/items/<id:item_id>/withdraw/", views.withdraw, name="withdraw"),
]
