from django.urls import path

from . import group_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("lookup/", views.customer_lookup, name="lookup"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/delete/", views.customer_delete, name="delete"),
    path("<int:pk>/people/", views.customer_people, name="people"),
    path("<int:pk>/people/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/people/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/people/<int:contact_pk>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/history/", views.customer_history, name="history"),
    path("<int:pk>/sales/", views.customer_sales, name="sales"),
    path("<int:pk>/group/", group_views.customer_group, name="group"),
]
