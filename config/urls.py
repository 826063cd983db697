from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # The site and its API first: their routes are the ones every request tries.
    path("", include("recommender.urls")),
    path("admin/", admin.site.urls),
]

# JSON for API paths, the site's own pages for everything else.
handler400 = "recommender.views.bad_request"
handler404 = "recommender.views.page_not_found"
handler500 = "recommender.views.server_error"
