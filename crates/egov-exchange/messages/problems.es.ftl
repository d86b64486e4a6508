# Problem titles of the exchange's error codes, Spanish (see egov-core/messages).
problem-exchange-grant-not-found = No existe ese permiso vigente
problem-exchange-consent-not-found = No existe ese consentimiento vigente suyo
problem-exchange-no-person = Esta cuenta no está vinculada a una persona (cédula)
problem-exchange-record-not-found = No existe ese registro de mensajes
problem-exchange-subscription-not-found = No existe esa suscripción
problem-exchange-key-not-found = No existe esa clave sin revocar
problem-exchange-delivery-not-found = No existe esa entrega en la lista de entregas fallidas
problem-exchange-service-not-found = No existe ese servicio

# Details (`detail-…`) in this language; the English is in the code.
detail-consent-days = debe ser de 1 a 365
