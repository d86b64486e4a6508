## Las partes del intercambio, como las leen las personas (el paquete puede renombrarlas)
provider-tax = la administración tributaria
provider-petition = el portal de trámites
provider-docflow = el archivo

## Mis consentimientos
my-consents = Mis consentimientos
consents-title = Mis consentimientos
consents-lead = Cada consentimiento permite que una institución obtenga algunos de sus datos de otra por el intercambio de datos del gobierno, para un fin y hasta una fecha. Si lo retira, la institución que tiene los datos deja de enviarlos desde ese momento.
consents-empty = No dio ningún consentimiento.
consents-withdrawn = Su consentimiento fue retirado. Ninguna institución puede usarlo más.
consent-row = { $client } puede obtener sus datos de { $items } de { $provider }
consent-purpose = Para qué
consent-given = Dado el
consent-until = Hasta
consent-state = Estado
consent-state-active = Vigente
consent-state-withdrawn = Retirado el { $date }
consent-state-expired = Vencido
consent-withdraw = Retirar este consentimiento

## The exchange console (platform admins)
xadmin-title = Intercambio de datos
xadmin-lead = Con quién intercambia datos este despliegue, qué cliente puede llamar a qué servicio y para qué, y las entregas de eventos que se abandonaron.
xadmin-members = Miembros
xadmin-members-api = Los miembros se registran con sus claves públicas mediante la API (PUT /exchange/v1/admin/members).
xadmin-this-deployment = este despliegue
xadmin-grants = Autorizaciones
xadmin-grants-lead = Un cliente solo puede llamar a un servicio con una autorización vigente, para la finalidad y los datos que nombra; el consentimiento y la ley también se comprueban en cada llamada.
xadmin-no-grants = Aún no hay autorizaciones.
xadmin-new-grant = Autorizar
xadmin-revoke = Revocar
xadmin-client-hint = Un subsistema: INSTANCE/CLASS/MEMBER/SUBSYSTEM, por ejemplo KR/GOV/1741000/petition.
xadmin-service-hint = INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE, por ejemplo KR/GOV/1741000/tax/income-certificate.
xadmin-items-hint = Los datos que el cliente puede recibir, separados por comas.
xadmin-dead = Mensajes no entregados
xadmin-dead-lead = Entregas de eventos a suscriptores que se abandonaron tras sus reintentos. Vuelva a entregarlas cuando el suscriptor esté de nuevo disponible.
xadmin-no-dead = Ningún mensaje no entregado.
xadmin-replay = Entregar de nuevo
xadmin-field-member = Miembro
xadmin-field-name = Nombre
xadmin-field-url = Dirección
xadmin-field-client = Cliente
xadmin-field-service = Servicio
xadmin-field-purpose = Finalidad
xadmin-field-items = Datos
xadmin-field-since = Desde
xadmin-field-event = Evento
xadmin-field-source = Origen
xadmin-field-subscription = Suscripción
xadmin-field-attempts = Intentos
xadmin-field-error = Último error
xadmin-field-id = Autorización
xadmin-field-event-id = Evento
xadmin-field-subscription-id = Suscripción
xadmin-done-granted = La autorización está vigente.
xadmin-done-revoked = La autorización está revocada.
xadmin-done-replayed = La entrega vuelve a estar en cola.
