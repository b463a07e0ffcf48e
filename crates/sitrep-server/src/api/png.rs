//! Figures as PNG: `/figures/{id}.png` and `/api/v1/figures/{id}?format=png`, the
//! figure's SVG rasterised in-process by [`sitrep_render::png::svg_to_png`] (fonts
//! compiled in). `scale` (0 < scale ≤ 4, default 1) multiplies the figure's size.

use crate::error::ApiError;
use crate::params::{Kind, Param, Params};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `scale` of a figure as PNG.
pub(crate) const SCALE: Param = Param::new(
    "scale",
    Kind::Positive {
        max: sitrep_render::png::MAX_SCALE as f64,
        default: 1.0,
    },
    "format=png only: multiplies the figure's size in pixels",
    "2",
);

/// The `scale` parameter.
fn scale(p: &Params) -> Result<f32, ApiError> {
    match p.one(SCALE.name)? {
        None => Ok(1.0),
        Some(v) => v
            .parse::<f32>()
            .ok()
            .filter(|s| *s > 0.0 && *s <= sitrep_render::png::MAX_SCALE)
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "`scale` must be a number above 0 and at most {}, found `{}`",
                    sitrep_render::png::MAX_SCALE,
                    v.chars().take(40).collect::<String>()
                ))
            }),
    }
}

/// The PNG of a drawn figure, as a download named `{id}.png`.
pub(crate) async fn respond(svg: &str, id: &str, p: &Params) -> Result<Response, ApiError> {
    let scale = scale(p)?;
    let svg = svg.to_string();
    let png = tokio::task::spawn_blocking(move || sitrep_render::png::svg_to_png(&svg, scale))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}.png\""),
            ),
        ],
        png,
    )
        .into_response())
}

/// `GET /figures/{id}`: `{id}.png` is the figure as PNG; anything else the page.
pub(crate) async fn figure_or_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    p: Params,
) -> Response {
    let Some(base) = id.strip_suffix(".png") else {
        return crate::pages::figures::show(State(state), Path(id), p)
            .await
            .into_response();
    };
    let png = async {
        p.check(false, &["from", "to", "compare", "changes", "scale"])?;
        let q = crate::api::figures::FigureQuery::parse(&p)?;
        let fig = crate::api::figures::figure(&state, base, q).await?;
        respond(&fig.svg, base, &p).await
    };
    match png.await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}
