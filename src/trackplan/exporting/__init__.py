"""The `export` verb: a ref rendered in any external format through the `formats` registry
(`run`), with the whole-plan Avo JSON assembled from cached fragments (`avo_json_cache`)."""
