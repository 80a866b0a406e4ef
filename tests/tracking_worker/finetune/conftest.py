from tests.annotator.conftest import cast, clients, make_user, media_root  # noqa: F401
from tests.tracking_worker.propagation.conftest import checkpoint  # noqa: F401
