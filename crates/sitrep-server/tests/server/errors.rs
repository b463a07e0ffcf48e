use crate::common::{assert_problem, get, get_json, request};
use axum::body::Body;
use axum::http::Method;

#[tokio::test]
async fn bad_parameters_are_400_problems_with_a_detail() {
    let cases = [
        (
            "/api/v1/incidents?from=2020-13-01",
            "`from`: must be a date",
        ),
        ("/api/v1/incidents?to=yesterday", "`to`: must be a date"),
        (
            "/api/v1/incidents?from=2021-01-01&to=2020-01-01",
            "is after",
        ),
        (
            "/api/v1/incidents?page_size=100000",
            "`page_size` must be an integer from 1 to 500",
        ),
        ("/api/v1/incidents?page_size=0", "page_size"),
        ("/api/v1/incidents?page=-1", "`page`"),
        (
            "/api/v1/incidents?sort=drop%20table",
            "`sort` must be one of",
        ),
        (
            "/api/v1/incidents?format=xml",
            "`format` must be one of json, csv, geojson",
        ),
        (
            "/api/v1/incidents?type=picnic",
            "unknown event type `picnic`",
        ),
        (
            "/api/v1/incidents?province=Atlantis",
            "unknown province `Atlantis`",
        ),
        ("/api/v1/incidents?region=Mars", "unknown region"),
        ("/api/v1/incidents?actor=nobody-at-all", "unknown actor"),
        ("/api/v1/incidents?min_geo_precision=9", "min_geo_precision"),
        (
            "/api/v1/incidents?provnce=AF-KAB",
            "unknown parameter `provnce`",
        ),
        ("/api/v1/incidents?page=1&page=2", "more than once"),
        (
            "/api/v1/series?bucket=fortnight",
            "`bucket` must be one of week, month, year",
        ),
        (
            "/api/v1/series?bucket=week&from=1000-01-01&to=2020-01-01",
            "narrow",
        ),
        ("/api/v1/map/provinces?format=geojson", "`format`"),
        ("/api/v1/sources?x=1", "takes no parameters"),
        ("/api/v1/actors?from=2020-02-30", "`from`"),
    ];
    for (uri, needle) in cases {
        assert_problem(&get(uri).await, 400, needle);
    }
}

#[tokio::test]
async fn user_values_never_reach_sql_raw() {
    for q in [
        "source=x'%20OR%20'1'='1",
        "country=');%20DROP%20TABLE%20records;--",
        "source=%5C'",
    ] {
        let v = get_json(&format!("/api/v1/incidents?{q}")).await;
        assert_eq!(v["total"], 0, "{q}");
    }
    let a = get("/api/v1/incidents/x'%20OR%20'1'='1").await;
    assert_problem(&a, 404, "no incident");
}

#[tokio::test]
async fn unknown_ids_are_404() {
    assert_problem(
        &get("/api/v1/incidents/ucdp:0:99").await,
        404,
        "no incident `ucdp:0:99`",
    );
    assert_problem(&get("/api/v1/actors/not-an-actor").await, 404, "no actor");
    assert_problem(&get("/api/v1/places/AF-XXX").await, 404, "no place");
    assert_problem(&get("/api/v1/nothing/here").await, 404, "no API endpoint");
    let page = get("/actors/not-an-actor").await;
    assert_eq!(page.status, 404);
    assert!(page.content_type().starts_with("text/html"));
    assert_eq!(get("/no/such/page").await.status, 404);
}

#[tokio::test]
async fn limits_on_query_length_body_and_methods() {
    let long = format!("/api/v1/incidents?country={}", "a".repeat(3000));
    assert_problem(&get(&long).await, 414, "limit is 2048");
    let page = get(&format!("/explore?country={}", "a".repeat(3000))).await;
    assert_eq!(page.status, 414);

    let big = request(
        Method::POST,
        "/api/v1/incidents",
        Body::from(vec![b'x'; 100 * 1024]),
    )
    .await;
    assert!(big.status == 413 || big.status == 405, "{}", big.status);
    let post = request(Method::POST, "/api/v1/incidents", Body::empty()).await;
    assert_eq!(post.status, 405);
    let del = request(Method::DELETE, "/api/v1/sources", Body::empty()).await;
    assert_eq!(del.status, 405);
}
