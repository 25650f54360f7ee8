"""The product's URLs plus `/bare/`."""

from django.urls import path

from webcare.urls import urlpatterns as product_urlpatterns

from .views import insert

urlpatterns = [path("bare/", insert, name="bench-bare"), *product_urlpatterns]
