"""Django admin for every model, with filters, search and read-only computed fields."""

from django.contrib import admin

from annotator.models import (
    BatchPropagation,
    FineTuneRun,
    FrameAnnotation,
    JobTrack,
    Label,
    Membership,
    ModelCheckpoint,
    OutboxMessage,
    Project,
    PropagationJob,
    ReviewComment,
    Track,
    TrackEvent,
    Video,
    WorkerHeartbeat,
)


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "created_by", "created_at", "video_count"]
    search_fields = ["name", "description"]
    list_filter = ["created_at"]
    readonly_fields = ["created_at", "video_count"]
    inlines = [LabelInline, MembershipInline]

    @admin.display(description="videos")
    def video_count(self, obj):
        return obj.videos.count()


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "colour"]
    list_filter = ["project"]
    search_fields = ["name", "project__name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user", "project"]


def _start_batch(modeladmin, request, queryset, *, backward: bool) -> None:
    from annotator.services.batches import start_batch, start_summary

    one_project = len(set(queryset.values_list("project_id", flat=True))) == 1
    batch = start_batch(videos=queryset, by=request.user, backward=backward,
                        project=queryset.first().project if one_project else None)
    modeladmin.message_user(request, start_summary(batch, queryset.order_by("name")))


@admin.action(description="Propagate every stale segment, forward from each anchor (batch)")
def propagate_videos(modeladmin, request, queryset):
    _start_batch(modeladmin, request, queryset, backward=False)


@admin.action(description="Propagate every stale segment, and backward from each track's first anchor (batch)")
def propagate_videos_both_ways(modeladmin, request, queryset):
    _start_batch(modeladmin, request, queryset, backward=True)


@admin.display(description="fps", ordering="fps")
def rounded_fps(obj):
    """A clip's or a job's frame rate to one decimal: 29.97002997 reads as 30.0."""
    return "—" if obj.fps is None else f"{obj.fps:.1f}"


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    actions = [propagate_videos, propagate_videos_both_ways]
    list_display = ["name", "project", "status", "width", "height", rounded_fps, "frame_count", "created_at"]
    list_filter = ["status", "project"]
    search_fields = ["name", "project__name", "error"]
    exclude = ["fps"]  # shown rounded, read-only
    readonly_fields = ["status", "error", "width", "height", "original_width", "original_height", rounded_fps,
                       "frame_count", "extraction_progress", "source_file", "source_size", "created_at", "track_count"]

    @admin.display(description="tracks")
    def track_count(self, obj):
        return obj.tracks.count()


class TrackEventInline(admin.TabularInline):
    """The track's history, read-only: it is written by the services, never by hand."""

    model = TrackEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "change", "from_status", "to_status", "detail", "job", "by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    inlines = [TrackEventInline]
    list_display = ["id", "video", "label", "object_id", "review_status", "version", "annotated_frames", "updated_at"]
    list_filter = ["review_status", "label", "video__project"]
    search_fields = ["video__name", "label__name"]
    readonly_fields = ["version", "created_at", "updated_at", "annotated_frames", "manual_frames"]

    @admin.display(description="annotated frames")
    def annotated_frames(self, obj):
        return obj.annotations.count()

    @admin.display(description="manual frames")
    def manual_frames(self, obj):
        return list(obj.annotations.exclude(source="propagated").values_list("frame_index", flat=True))


@admin.register(FrameAnnotation)
class FrameAnnotationAdmin(admin.ModelAdmin):
    list_display = ["track", "frame_index", "source", "score", "quality", "area", "job", "updated_at"]
    list_filter = ["source", "track__video__project"]
    search_fields = ["track__video__name"]
    readonly_fields = ["area", "updated_at", "job"]
    raw_id_fields = ["track"]


class JobTrackInline(admin.TabularInline):
    model = JobTrack
    extra = 0
    raw_id_fields = ["track"]


@admin.register(PropagationJob)
class PropagationJobAdmin(admin.ModelAdmin):
    list_display = ["id", "video", "status", "direction", "start_frame", "frames_done", "frames_total", rounded_fps,
                    "batch", "created_at"]
    list_filter = ["status", "direction", "video__project"]
    search_fields = ["video__name", "error"]
    exclude = ["fps"]  # shown rounded, read-only
    readonly_fields = ["frames_done", "frames_total", rounded_fps, "error", "checkpoint_sha256", "tracker_config",
                       "stop_reasons", "attempts", "created_at", "started_at", "finished_at", "progress", "duration"]
    inlines = [JobTrackInline]


class BatchJobInline(admin.TabularInline):
    """The batch's jobs, one line per video and start: where each stands and why it stopped."""

    model = PropagationJob
    fk_name = "batch"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ["video", "status", "direction", "start_frame", "frames_done", "frames_total",
                                "stops", "error"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="track stops")
    def stops(self, obj):
        from annotator.services.batches import stop_counts

        return ", ".join(f"{reason}: {n}" for reason, n in stop_counts(obj.stop_reasons or {}).items()) or "-"


@admin.action(description="Cancel the unfinished jobs of the selected batches")
def cancel_batches(modeladmin, request, queryset):
    from annotator.services.batches import cancel_batch

    for batch in queryset:
        n = cancel_batch(batch=batch)
        modeladmin.message_user(request, f"Batch {batch.pk}: {n} unfinished job(s) cancelled or asked to stop.")


@admin.register(BatchPropagation)
class BatchPropagationAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "created_by", "max_running", "created_at", "job_summary"]
    list_filter = ["project"]
    readonly_fields = ["created_at", "job_summary"]
    actions = [cancel_batches]
    inlines = [BatchJobInline]

    @admin.display(description="progress")
    def job_summary(self, obj):
        from annotator.services.batches import batch_progress

        p = batch_progress(obj)
        statuses = ", ".join(f"{k}: {v}" for k, v in p["by_status"].items()) or "no jobs"
        stops = "".join(f"; {reason}: {n}" for reason, n in p["stops"].items())
        return f"{p['progress']:.0%} ({statuses}{stops})"


@admin.register(ReviewComment)
class ReviewCommentAdmin(admin.ModelAdmin):
    list_display = ["track", "frame_index", "author", "resolved", "created_at"]
    list_filter = ["resolved"]
    search_fields = ["text", "author__username"]


@admin.register(ModelCheckpoint)
class ModelCheckpointAdmin(admin.ModelAdmin):
    list_display = ["name", "variant", "config", "is_default", "sha256", "created_at"]
    list_filter = ["variant", "is_default"]
    search_fields = ["name", "sha256"]
    readonly_fields = ["sha256", "created_at"]


@admin.register(FineTuneRun)
class FineTuneRunAdmin(admin.ModelAdmin):
    """Read-only: fine-tunes are started, cancelled and finished through annotator/services/finetune.py."""

    list_display = ["id", "project", "status", "steps_done", "steps_total", "decision", "checkpoint", "created_at"]
    list_filter = ["status", "decision"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "queues", "device", "checkpoint_sha256", "last_seen"]
    search_fields = ["hostname"]
    readonly_fields = ["hostname", "queues", "device", "checkpoint_sha256", "started_at", "last_seen"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Task messages still waiting for the broker; a growing list means the broker is away."""

    list_display = ["task", "args", "queue", "created_at", "attempts", "last_error"]
    list_filter = ["task", "queue"]
    readonly_fields = ["task", "args", "queue", "priority", "created_at", "attempts", "last_error"]
