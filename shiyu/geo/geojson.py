"""GeoJSON of the city's own areas (grids, admin units) for the pages' vector maps,
which draw them on a blank background instead of internet map tiles."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import shapely


def feature_collection(areas: Iterable, properties: Callable[[object], dict], *,
                       tolerance: float = 0.0) -> dict:
    """One Feature per area that has a boundary (`.boundary_wkt`, lon/lat), with
    `properties(area)`. `tolerance` (degrees) simplifies the outlines: a city's
    hundreds of communities stay a download a phone can afford."""
    areas = [area for area in areas if area.boundary_wkt]
    shapes = shapely.from_wkt([area.boundary_wkt for area in areas])
    if tolerance:
        shapes = shapely.simplify(shapes, tolerance, preserve_topology=True)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(geometry), "properties": properties(area)}
        for area, geometry in zip(areas, shapely.to_geojson(shapes))]}
