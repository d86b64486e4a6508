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
