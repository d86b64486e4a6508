//! A fixture module with one real table on both backends, served only by tests. It exercises
//! the parts a module uses — migrations, `Db::run`, transactions, the central mapping of
//! database errors — before any real module exists.

use actix_web::{HttpResponse, get, post, web};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use egov_core::routes::Routes;
use egov_core::{Db, Error, Migrations, Module};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

diesel::table! {
    probe_notes (id) {
        id -> Text,
        title -> Text,
        created_at -> Timestamp,
    }
}

#[derive(Debug, Queryable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = probe_notes)]
pub struct Note {
    pub id: String,
    pub title: String,
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
}

egov_core::problems!(CreateNoteErrors:
    egov_core::error::codes::CONFLICT,
    egov_core::error::codes::VALIDATION_FAILED,
);

/// Creates a note; a duplicate title is a conflict enforced by the database.
#[utoipa::path(
    tag = "probe",
    request_body = NewNote,
    responses(
        (status = 201, description = "Created", body = Note),
        CreateNoteErrors,
    ),
    security(()),
)]
#[post("/notes")]
pub async fn create_note(
    db: web::Data<Db>,
    input: web::Json<NewNote>,
) -> Result<HttpResponse, Error> {
    let title = input.into_inner().title;
    if title.trim().is_empty() || title.chars().count() > 200 {
        return Err(Error::invalid_field(
            "/title",
            "must be 1 to 200 characters",
        ));
    }
    let note = Note {
        id: uuid::Uuid::now_v7().to_string(),
        title,
        created_at: Utc::now().naive_utc(),
    };
    let note = db
        .transaction(move |conn| {
            diesel::insert_into(probe_notes::table)
                .values(&note)
                .execute(conn)?;
            Ok(note)
        })
        .await?;
    Ok(HttpResponse::Created().json(note))
}

/// Reads a note.
#[utoipa::path(
    tag = "probe",
    params(("id" = String, Path, description = "Note id")),
    responses((status = 200, description = "The note", body = Note)),
    security(()),
)]
#[get("/notes/{id}")]
pub async fn get_note(db: web::Data<Db>, id: web::Path<String>) -> Result<web::Json<Note>, Error> {
    let id = id.into_inner();
    let note = db
        .run(move |conn| Ok(probe_notes::table.find(id).first::<Note>(conn)?))
        .await?;
    Ok(web::Json(note))
}

const POSTGRES: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/postgres");
const SQLITE: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/sqlite");

/// Fails the way a bug would: the cause must be logged, never shown.
#[utoipa::path(tag = "probe", responses((status = 204, description = "Never")),
    security(()),
)]
#[post("/fail")]
pub async fn fail() -> Result<HttpResponse, Error> {
    Err(Error::internal(anyhow::anyhow!(
        "connection to 10.0.0.5 failed: password for egov_admin rejected"
    )))
}

/// The fixture module.
#[derive(Debug)]
pub struct ProbeModule;

impl Module for ProbeModule {
    fn name(&self) -> &'static str {
        "probe"
    }

    fn title(&self) -> &'static str {
        "Probe (tests only)"
    }

    fn description(&self) -> &'static str {
        "A fixture module with one table, used by the platform's own tests."
    }

    fn migrations(&self) -> Option<Migrations> {
        Some(Migrations {
            postgres: || POSTGRES,
            sqlite: || SQLITE,
        })
    }

    fn configure(&self, cfg: &mut Routes<'_>) {
        cfg.scope("/api/v1/probe", |s| {
            s.service(create_note).service(get_note).service(fail)
        });
    }
}
