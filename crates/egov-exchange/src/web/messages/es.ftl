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
