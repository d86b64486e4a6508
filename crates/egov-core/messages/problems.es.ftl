# Problem titles (RFC 9457 `title`) of the platform's error codes, Spanish. The id is
# `problem-` and the code with `.` and `_` as `-`. A country pack overrides any of them in
# its messages/<lang>.ftl.
problem-bad-request = Solicitud incorrecta
problem-malformed-body = El cuerpo de la solicitud no está bien formado
problem-invalid-parameter = Parámetro de ruta o de consulta no válido
problem-unauthorized = Se requiere autenticación
problem-forbidden = No permitido
problem-not-found = Recurso no encontrado
problem-method-not-allowed = Método no permitido en este recurso
problem-not-acceptable = No hay una representación aceptable
problem-conflict = Entra en conflicto con el estado actual
problem-payload-too-large = El cuerpo de la solicitud es demasiado grande
problem-unsupported-media-type = Tipo de contenido no admitido
problem-validation-failed = La solicitud no pasó la validación
problem-too-many-requests = Demasiadas solicitudes
problem-internal = Error interno del servidor
problem-service-unavailable = Servicio no disponible temporalmente
problem-database-unavailable = Base de datos no disponible temporalmente
problem-unknown-country = No hay ningún paquete de país cargado con ese código
problem-calendar-not-covered = El paquete de país no tiene calendario de días hábiles para esa fecha

# Details (RFC 9457 `detail`, field errors) with a message: `detail-…`, with the values the
# English names as arguments.
detail-fields-invalid = { $count ->
    [one] { $count } campo no es válido
   *[other] { $count } campos no son válidos
}
detail-length-no-control = de { $min } a { $max } caracteres, sin caracteres de control
detail-at-most-characters = como máximo { $max } caracteres
detail-control-characters = no debe contener caracteres de control
detail-purpose = por qué consulta { $what }: de 3 a 200 caracteres en una línea
detail-cursor = no es un cursor de esta lista
detail-limit = de 1 a { $max }
detail-duplicate-key = ya existe un registro con la misma clave
detail-reference = un registro referido no existe o todavía está referido
detail-nul = el texto no debe contener caracteres NUL (U+0000)
detail-calendar-year = el paquete de país no tiene feriados para { $year }
detail-date-range = fecha fuera de rango
detail-method = { $method } no está permitido aquí; permitidos: { $allowed }
detail-no-route = ninguna ruta coincide con esta dirección
detail-body-too-large = el cuerpo tiene { $length } bytes; el límite es { $limit }
detail-body-over-limit = el cuerpo supera el límite de { $limit } bytes
detail-size-limit = el cuerpo supera el límite de tamaño
detail-send-as = envíe el cuerpo como { $media_type }
detail-body-schema = el cuerpo no tiene la forma esperada: { $why }
detail-invalid-json = JSON no válido: { $why }
detail-form-malformed = al formulario le falta un campo o está mal formado
detail-query = la cadena de consulta no es válida: { $why }
detail-query-missing = el parámetro de consulta `{ $name }` es obligatorio: añada ?{ $name }=… a la URL
detail-path = no existe ese recurso: { $why }
detail-required = obligatorio
detail-id-format = no tiene el formato de { $scheme }
detail-id-check-digit = el dígito verificador no coincide
detail-id-digits = debe tener solo dígitos
detail-id-length = debe tener { $count } dígitos
detail-id-empty = no debe estar vacío
detail-id-base-and-check = necesita un número base y un dígito verificador
detail-id-birth-date = los primeros seis dígitos no son una fecha de nacimiento
