portal-name = Servicios del Gobierno de { $country }
home-lead = Encuentre un trámite, vea qué necesita y verifique un documento emitido por una institución.
search-label = Buscar un trámite
search-button = Buscar
search-kind = Tipo de trámite
search-kind-any = Todos
search-count = { $n ->
    [0] Ningún trámite coincide.
    [one] Un trámite coincide.
   *[other] { $n } trámites coinciden.
}
search-q-invalid = Palabras de búsqueda: como máximo 100 caracteres
search-kind-invalid = Elija un tipo de trámite de la lista
kinds-title = Tipos de trámite
all-services = Todos los trámites
services-title = Trámites
kind-statutory = Certificados, permisos y registros
kind-complaint = Reclamos
kind-proposal = Propuestas
kind-inquiry = Consultas sobre leyes y procedimientos
label-kind = Tipo
label-agency = Institución
label-fee = Arancel
label-period = Plazo
label-document = Documento emitido
label-legal-basis = Base legal
fee-free = Gratuito
period-working-days = { $n ->
    [one] 1 día hábil
   *[other] { $n } días hábiles
}
period-working-hours = { $n ->
    [one] 1 hora hábil
   *[other] { $n } horas hábiles
}
agency-routed = La institución competente (según el asunto y el lugar)
document-valid = Sí, válido por { $days } días
who-title = Quién puede solicitarlo
who-statutory = La persona a quien se refiere el trámite, o alguien a quien haya autorizado.
who-complaint = Cualquier persona, sobre un asunto que la afecte a ella o al público.
who-proposal = Cualquier persona.
who-inquiry = Cualquier persona.
needed-title = Qué necesita
needed-none = Nada más que el formulario.
evidence-exchange = la institución puede obtenerlo por usted, con su consentimiento; o puede subir una copia
evidence-upload = subir una copia (PDF, JPEG o PNG)
asked-title = Qué se le preguntará
field-optional = { $label } (opcional)
how-title = Cómo solicitarlo
how-text = Solicítelo en línea con su cuenta o en la ventanilla de la institución. Recibirá un número de expediente para seguirlo hasta la decisión.
verify-title = Verificar un documento
verify-lead = ¿Le entregaron un certificado o una resolución emitida aquí? Verifique que sea auténtico y siga vigente:
verify-page-lead = Ingrese el número de verificación impreso en el documento (también en su código QR). Verá si es auténtico, si sigue vigente y qué dice.
verify-number = Número de verificación
verify-number-hint = 12 dígitos, por ejemplo 1234-5678-9012
verify-button = Verificar
verify-number-invalid = Ingrese los 12 dígitos del número de verificación
verify-not-found = No hay ningún documento verificable con este número. Revise el número o consulte a quien le entregó el documento.
verify-status-valid = Este documento es auténtico y está vigente
verify-status-expired = Este documento es auténtico pero ha vencido
verify-status-revoked = La institución revocó este documento
verify-not-authentic = La firma de este documento no coincide: no confíe en él
verify-signature-good = Firmado por la institución emisora; la firma es válida
verify-signature-bad = La firma no es válida
label-document-title = Documento
label-issuer = Emitido por
label-holder = Titular (como figura)
label-issued = Fecha de emisión
label-valid-until = Vigente hasta
label-revoked = Revocado el
label-signature = Firma
label-digest = Resumen (SHA-256)
checks-title = Verificar un documento o certificado
my-applications = Mis solicitudes
mine-title = Mis solicitudes
mine-lead = Todo lo que ha solicitado, lo más reciente primero. La fecha límite es cuando la institución debe responder por ley; cambia si la institución le pide más información.
mine-caption = Sus solicitudes y su estado
mine-empty = Todavía no ha solicitado nada.
mine-find-service = Buscar un servicio
mine-receipt = Número de recibo
mine-service = Servicio
mine-status = Estado
mine-submitted = Enviada
mine-due = Respuesta a más tardar
mine-no-receipt = Aún no enviada
mine-paused = El plazo está detenido hasta que envíe lo que la institución pidió.
mine-overdue = La respuesta está atrasada.
status-draft = Aún no enviada (borrador)
status-submitted = Enviada
status-received = Recibida por la institución
status-in-review = En revisión
status-supplement-requested = La institución necesita más de usted
status-supplemented = Usted envió más información
status-decided = Resuelta
status-issued = Documento emitido
status-closed = Cerrada
status-withdrawn = Retirada por usted
status-merged = Unida a otra solicitud
