from django.urls import path

from .views import dashboard, dispatch, grid, handling, home, intake, portal, supervision

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("dashboard/", dashboard.page, name="dashboard"),
    path("dashboard/data/grids.geojson", dashboard.grids, name="dashboard-grids"),
    path("dashboard/data/grid-counts/", dashboard.grid_counts, name="dashboard-grid-counts"),
    path("dashboard/data/volume/", dashboard.volume, name="dashboard-volume"),
    path("dashboard/data/categories/", dashboard.categories, name="dashboard-categories"),
    path("dashboard/data/rates/", dashboard.rates, name="dashboard-rates"),
    path("dashboard/data/alerts/", dashboard.alerts, name="dashboard-alerts"),
    path("dashboard/data/hot-issues/", dashboard.hot_issues, name="dashboard-hot-issues"),
    path("workbench/intake/", intake.intake, name="intake"),
    path("workbench/intake/preview/", intake.preview, name="intake-preview"),
    path("workbench/dispatch/", dispatch.queue, name="dispatch-queue"),
    path("workbench/dispatch/bulk/", dispatch.bulk_dispatch, name="dispatch-bulk"),
    path("workbench/inbox/", handling.inbox, name="inbox"),
    path("workbench/tickets/<str:key>/", handling.ticket_page, name="ticket"),
    path("workbench/tickets/<str:key>/<str:name>/", handling.ticket_action, name="ticket-action"),
    path("workbench/notifications/<int:pk>/read/", handling.read_notification, name="notification-read"),
    path("workbench/supervision/", supervision.supervision, name="supervision"),
    path("grid/", grid.my_grid, name="grid"),
    path("grid/grids.geojson", grid.grids_geojson, name="grid-geojson"),
    path("grid/report/", grid.report, name="grid-report"),
    path("grid/tasks/", grid.tasks, name="grid-tasks"),
    path("grid/tasks/<str:code>/photo/", grid.task_photo, name="grid-task-photo"),
    path("portal/", portal.report, name="portal"),
    path("portal/areas.geojson", portal.areas_geojson, name="portal-geojson"),
    path("portal/track/", portal.track, name="portal-track"),
    path("portal/track/<str:tracking>/", portal.tracked, name="portal-tracked"),
    path("portal/track/<str:tracking>/rate/", portal.rate, name="portal-rate"),
    path("portal/resolved/", portal.resolved, name="portal-resolved"),
    path("portal/mine/", portal.mine, name="portal-mine"),
]
