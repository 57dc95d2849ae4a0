"""Where each part of a plan lives in the plan folder, and how event files are named.

trackplan.yaml          settings
events/<slug>.yaml      one event per file (events_layout: flat, the default)
events/<xx>/<slug>.yaml the same, spread over 256 folders (events_layout: sharded)
identify.yaml           user traits
group.yaml              group traits
contexts/<slug>.yaml    per-source context properties
"""

from __future__ import annotations

# hashlib and the slugs are imported where they are used: a quick default diff asks only
# `is_plan_file`, before anything else is loaded (cli/quick.py).
SETTINGS_FILE = "trackplan.yaml"
EVENTS_DIR = "events"
CONTEXTS_DIR = "contexts"
IDENTIFY_FILE = "identify.yaml"
GROUP_FILE = "group.yaml"
TRACKING_PLANS_DIR = "tracking-plans"
YAML_SUFFIXES = (".yaml", ".yml", ".json")


def _name_hash(name: str) -> str:
    import hashlib

    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def shard(stem: str) -> str:
    """The folder of an event file in the sharded layout: two hex digits of a hash of the
    file name. A flat folder is one git tree as long as the plan, which every commit
    rewrites and every diff compares whole; 256 folders keep both to the changed files."""
    import hashlib

    return hashlib.sha256(stem.encode()).hexdigest()[:2]


def events_file(stem: str, sharded: bool, suffix: str = ".yaml") -> str:
    return f"{EVENTS_DIR}/{shard(stem)}/{stem}{suffix}" if sharded else f"{EVENTS_DIR}/{stem}{suffix}"


def relocated(path: str, sharded: bool) -> str:
    """Where an event file goes in the given layout: same file name, so history follows it."""
    if not is_event_file(path):
        return path
    name = path.rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    return events_file(stem, sharded, dot + suffix)


def event_path(name: str, taken_lower: set[str] | frozenset[str] = frozenset(), sharded: bool = False) -> str:
    """The path for a new event. Falls back to slug-<hash> when the plain slug is taken
    (`taken_lower`: lower-cased paths in use), so two names that slug alike (`Sign Up`,
    `sign_up`) never share a file, even on a case-insensitive disk."""
    from trackplan.model.slugs import slugify

    slug = slugify(name)
    plain = events_file(slug, sharded)
    # A name with no usable characters gets a hashed name rather than a shared `event.yaml`.
    meaningful = slug != "event" or name.strip().lower() == "event"
    if meaningful and plain.lower() not in taken_lower:
        return plain
    return events_file(f"{slug}-{_name_hash(name)}", sharded)


def context_path(source: str) -> str:
    from trackplan.model.slugs import slugify

    return f"{CONTEXTS_DIR}/{slugify(source)}.yaml"


def stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def is_event_file(path: str) -> bool:
    """Any YAML/JSON file below events/, in whatever folders people keep them."""
    return path.startswith(EVENTS_DIR + "/") and path.endswith(YAML_SUFFIXES)


def is_plan_file(path: str) -> bool:
    if path in (SETTINGS_FILE, IDENTIFY_FILE, GROUP_FILE):
        return True
    return is_event_file(path) or (
        path.startswith(CONTEXTS_DIR + "/") and path.endswith(YAML_SUFFIXES) and path.count("/") == 1
    )
