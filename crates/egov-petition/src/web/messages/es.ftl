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
apply-start = Solicitar en línea
apply-title = Solicitar: { $service }
apply-lead = Responda las preguntas. «Continuar» revisa sus respuestas; «Guardar y seguir después» guarda lo escrito como borrador en Mis solicitudes.
form-continue = Continuar
form-save = Guardar y seguir después
hint-date = Por ejemplo 2026-03-27
hint-national-id = Formato: { $pattern }
hint-number-between = Un número de { $min } a { $max }
hint-choose-any = Elija todas las que correspondan
address-line1 = Dirección
address-line2 = Dirección, línea 2 (opcional)
address-city = Ciudad (opcional)
address-region = Departamento (opcional)
address-postal-code = Código postal (opcional)
error-enter = Escriba { $label }
error-choose = Elija { $label }
error-text = { $label } debe tener como máximo { $max } caracteres, sin caracteres de control
error-number = { $label } debe ser un número
error-number-between = { $label } debe ser un número de { $min_value } a { $max_value }
error-date = { $label } debe ser una fecha real, por ejemplo 2026-03-27
error-address = Escriba la primera línea de { $label }
error-national-id = Escriba un { $label } válido, como en la cédula
error-evidence = Agregue { $document }
evidence-fetched = Obtenido de la institución que lo tiene, con su consentimiento
evidence-uploaded = Adjuntado
evidence-missing = Todavía no agregado
check-title = Revise sus respuestas antes de enviar
check-answers = Sus respuestas
check-change-answers = Cambiar sus respuestas
check-documents = Documentos
check-change-documents = Cambiar los documentos
check-send = Ahora envíe su solicitud
check-declaration = Al enviar esta solicitud confirma que la información dada es correcta según su leal saber.
check-submit = Aceptar y enviar
sent-title = Solicitud enviada
sent-receipt = Su número de recibo
sent-next = Qué pasa ahora
sent-next-text = { $agency } revisará su solicitud y responderá a más tardar el { $due }. Si necesita más de usted, lo verá en Mis solicitudes, y el tiempo que usted tarde no cuenta en el plazo.
sent-follow = Seguir su solicitud
case-clock-paused = El plazo está detenido desde el { $since }, hasta que envíe lo que la institución pidió.
case-clock-due = La institución debe responder a más tardar el { $due }.
case-decision = Resolución
case-continue = Continuar su solicitud
case-documents = Documentos emitidos
case-document-number = Número de confirmación
case-history = Historial
documents-title = Agregue los documentos
documents-lead = La institución necesita estos documentos. Si la institución que tiene uno puede enviarlo, puede dejar que lo haga en lugar de subir una copia.
agency-this = La institución que tramita su solicitud
consent-text = Acepto que { $agency } obtenga mi { $document } ({ $items }) de { $provider } por el intercambio de datos del Estado, solo para esta solicitud, durante { $days } días. Puedo retirar este consentimiento en cualquier momento.
consent-missing = Marque la casilla para aceptar, o suba el documento
fetch-button = Obtenerlo por mí
or-upload = O suba una copia:
upload-label = Subir { $document }
upload-hint = Un archivo PDF, JPEG o PNG de hasta { $mb } MB
upload-button = Subir
upload-too-large = El archivo es demasiado grande: elija uno de hasta { $mb } MB
upload-wrong-type = El archivo debe ser PDF, JPEG o PNG
upload-choose-file = Elija un archivo para subir
fetch-failed = La institución no pudo enviarlo ahora. Inténtelo más tarde o suba una copia
fetch-fill-form = Complete primero el formulario: la solicitud necesita sus respuestas
attachment-uploaded = Subido: { $file }
case-rating = Su calificación
case-rated = { $score } de 5
case-supplement-title = La institución necesita más de usted
case-supplement-asked = La institución pidió:
case-supplement-documents = Agregar o cambiar documentos
case-supplement-note = Lo que envía (5 a 1000 caracteres)
case-supplement-button = Enviar a la institución
case-rate-title = ¿Cómo se atendió su caso?
case-rate-score = Su calificación
case-rate-1 = 1 – muy insatisfecho
case-rate-2 = 2 – insatisfecho
case-rate-3 = 3 – ni uno ni otro
case-rate-4 = 4 – satisfecho
case-rate-5 = 5 – muy satisfecho
case-rate-comment = Comentario (opcional)
case-rate-button = Enviar su calificación
case-reopen-title = ¿No se resolvió?
case-reopen-reason = Por qué no se resolvió (5 a 1000 caracteres)
case-reopen-button = Reabrir el caso
case-withdraw-title = Retirar la solicitud
case-withdraw-reason = Por qué la retira (5 a 1000 caracteres)
case-withdraw-button = Retirar
error-withdraw-reason = Diga por qué la retira, en 5 a 1000 caracteres
error-supplement-note = Diga lo que envía, en 5 a 1000 caracteres
error-rate-score = Elija una calificación de 1 a 5
error-reopen-reason = Diga por qué no se resolvió, en 5 a 1000 caracteres
history-earlier-rating = calificado antes con { $score } de 5: { $comment }
action-submit = Enviada
action-receive = Recibida por la institución
action-review = Revisión iniciada
action-request-supplement = La institución pidió más
action-supplement = Usted envió más
action-decide = Resuelta
action-issue = Documento emitido
action-close = Cerrada
action-withdraw = Retirada por usted
action-transfer = Enviada a la institución responsable
action-merge = Unida a otra solicitud
action-reopen = Reabierta por usted
action-extend = Plazo ampliado
action-assign = Asignada a un funcionario
action-rate = Calificada por usted
case-document-pdf = Descargar (PDF)
upload-bad-name = El nombre del archivo debe tener de 1 a 200 caracteres, sin saltos de línea: cámbielo y súbalo de nuevo

## Dónde está lo que se reclama
location-title = ¿Dónde es?
location-lead = Díganos dónde está el problema, para que el equipo que lo arregla lo encuentre.
location-address = Dirección o lugar
location-address-hint = Una dirección, o un lugar conocido y qué hay cerca, por ejemplo "frente a Mcal. López 1234, parada de ómnibus".
location-use-mine = Usar mi ubicación
location-busy = Buscando su ubicación…
location-done = Se agregó su ubicación (a menos de # m). Agregue también la dirección si puede.
location-failed = No se pudo encontrar su ubicación. Escriba la dirección.
location-have = Se agregó una ubicación de su dispositivo.
location-coordinates = latitud { $lat }, longitud { $long }
location-none = no indicado
location-error-missing = Ingrese la dirección o el lugar, o use su ubicación
location-error-coordinates = No se pudo leer la ubicación de su dispositivo. Escriba la dirección
location-error-address = Ingrese la dirección en una línea, de hasta 300 caracteres
check-place = Dónde
check-change-place = Cambiar el lugar
similar-title = Reclamos como este
similar-lead = Estos reclamos del mismo tipo están abiertos cerca del mismo lugar. Si uno es su problema, no necesita enviar otro: la institución ya lo atiende.
similar-line = { $receipt } · { $status } · enviado el { $date }
similar-distance = a { $metres } m

## Notices to the applicant (e-mail and text messages); the pack's messages/es.ftl can override each
notice-petition-subject = [Solicitud { $receipt_no }] { $status_text }
notice-petition-text =
    Su solicitud (número de recibo { $receipt_no }) tiene un nuevo estado: { $status_text }.
    Plazo: { $due_at }
notice-petition-sms = [Solicitud { $receipt_no }] { $status_text }. { $link }
notice-petition-submit-subject = [Solicitud { $receipt_no }] Recibimos su solicitud
notice-petition-submit-text =
    Recibimos su solicitud. Su número de recibo es { $receipt_no }.
    Plazo: { $due_at } (en días hábiles; el tiempo de espera de su respuesta no se cuenta)
notice-petition-request-supplement-subject = [Solicitud { $receipt_no }] La institución necesita más información
notice-petition-request-supplement-text =
    La institución que tramita la solicitud { $receipt_no } necesita más información.
    Abra la solicitud para ver qué se necesita y responda. El plazo se detiene hasta que responda.
notice-petition-request-supplement-sms = [Solicitud { $receipt_no }] Se necesita más información. { $link }
notice-petition-decide-subject = [Solicitud { $receipt_no }] Hay una decisión
notice-petition-decide-text =
    Hay una decisión sobre la solicitud { $receipt_no }. La decisión y cómo impugnarla están en la página de la solicitud.
notice-petition-issue-subject = [Solicitud { $receipt_no }] Su documento fue emitido
notice-petition-issue-text =
    El documento de la solicitud { $receipt_no } fue emitido. Descárguelo en PDF desde la página de la solicitud; cualquiera puede verificarlo con su código QR.
notice-petition-revoke-subject = [Solicitud { $receipt_no }] Un documento emitido fue revocado
notice-petition-revoke-text =
    La institución revocó el documento emitido para la solicitud { $receipt_no }. El motivo está en la página de la solicitud.
notice-petition-extend-subject = [Solicitud { $receipt_no }] Se extendió el plazo
notice-petition-extend-text =
    La institución extendió el plazo de la solicitud { $receipt_no }. Nuevo plazo: { $due_at }
    El motivo está en la página de la solicitud.
notice-petition-progress-subject = [Solicitud { $receipt_no }] Sigue en trámite
notice-petition-progress-text =
    La solicitud { $receipt_no } sigue en trámite. Estado: { $status_text }. Plazo: { $due_at }
location-map-label = Mapa
location-map-hint = O marque el lugar en el mapa: haga clic en él, o mueva el mapa con las flechas y pulse Intro para marcar el centro. + y - acercan y alejan.
location-map-placed = Se agregó el lugar que marcó en el mapa. Agregue también la dirección si puede.
location-map-zoom-in = Acercar
location-map-zoom-out = Alejar
upload-progress = Subiendo: # %
upload-progress-label = Progreso de la carga
upload-sent = Subido. Abriendo la página de nuevo…
