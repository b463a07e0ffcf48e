//! The interactive map's markup: a `div.imap-wrap` around the server-drawn SVG map,
//! with the empty Leaflet box (hidden until the script runs), the data URLs it
//! reads and the scripts (`assets/sitrep-map.js`, vendored Leaflet). Without script
//! the SVG is the map; with it, the SVG is hidden and the live map shown.

use crate::assets;
use crate::params::{Filters, FiltersExt};
use maud::{html, Markup};

/// Where the live map starts.
pub(crate) enum Focus<'a> {
    /// The whole country; clicking a province opens its page.
    Country,
    /// Fitted to one province (its code).
    Province(&'a str),
    /// Centred on a point (lat, lon).
    Point(f64, f64),
}

/// The live map of the incidents matching `f` over the static `svg` map.
pub(crate) fn interactive(f: &Filters, focus: Focus<'_>, svg: Markup) -> Markup {
    let q = f.query();
    let points = if q.is_empty() {
        "/api/v1/map/points".to_string()
    } else {
        format!("/api/v1/map/points?{q}")
    };
    let (fit, point, links) = match focus {
        Focus::Country => (None, None, Some("1")),
        Focus::Province(code) => (Some(code.to_string()), None, None),
        Focus::Point(lat, lon) => (None, Some(format!("{lat},{lon}")), None),
    };
    html! {
        div.imap-wrap {
            link rel="stylesheet" href=(assets::url(assets::LEAFLET_CSS));
            link rel="stylesheet" href=(assets::url(assets::MAP_CSS));
            div.imap hidden role="region" aria-label="Interactive map of the incidents"
                data-points=(points)
                data-provinces=(assets::url("geo/provinces.geojson"))
                data-districts=(assets::url("geo/districts.geojson"))
                data-from=[f.from.map(|d| d.to_string())]
                data-to=[f.to.map(|d| d.to_string())]
                data-fit=[fit]
                data-focus=[point]
                data-province-links=[links] {}
            (svg)
            script src=(assets::url(assets::LEAFLET_JS)) defer {}
            script src=(assets::url(assets::MAP_JS)) defer {}
        }
    }
}
