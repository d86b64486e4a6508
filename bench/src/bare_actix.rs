//! The framework limit: a bare actix-web server with no middleware, serving the same trivial
//! route and body as egov's `/health/live`, for `bench/run` to compare against.

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18200".to_owned());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    HttpServer::new(|| {
        App::new().route(
            "/health/live",
            web::get().to(|| async {
                HttpResponse::Ok().json(serde_json::json!({
                    "status": "ok",
                    "version": env!("CARGO_PKG_VERSION"),
                }))
            }),
        )
    })
    .workers(workers)
    .bind(bind)?
    .run()
    .await
}
