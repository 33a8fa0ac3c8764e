"""Review cycle pages for HR, mounted under /o/<org_slug>/reviews/cycles/."""

from django.urls import path

from .views import cycles

urlpatterns = [
    path("", cycles.cycle_list, name="review-cycles"),
    path("new/", cycles.cycle_create, name="review-cycle-create"),
    path("<int:pk>/", cycles.cycle_detail, name="review-cycle-detail"),
    path("<int:pk>/edit/", cycles.cycle_edit, name="review-cycle-edit"),
    path("<int:pk>/delete/", cycles.cycle_delete, name="review-cycle-delete"),
    path("<int:pk>/launch/", cycles.cycle_launch, name="review-cycle-launch"),
    path("<int:pk>/close/", cycles.cycle_close, name="review-cycle-close"),
    path("<int:pk>/reopen/", cycles.cycle_reopen, name="review-cycle-reopen"),
    path("<int:pk>/tracker/", cycles.cycle_tracker, name="review-cycle-tracker"),
    path("<int:pk>/calibration/", cycles.cycle_calibration, name="review-cycle-calibration"),
    path(
        "<int:pk>/reviews/<int:review_pk>/delegates/",
        cycles.review_delegates,
        name="review-cycle-delegates",
    ),
    path(
        "<int:pk>/reviews/<int:review_pk>/delegates/revoke/",
        cycles.review_revoke_delegate,
        name="review-cycle-revoke-delegate",
    ),
]
