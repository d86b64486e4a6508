## Umi tenda oñemoambuehápe dato, tapicha omoñe'ẽháicha
provider-tax = tetã impuesto rembiapo
provider-petition = portal de trámites
provider-docflow = kuatia ñongatuha

## Che ñemoneĩ
my-consents = Che ñemoneĩ
consents-title = Che ñemoneĩ
consents-lead = Peteĩteĩ ñemoneĩ omoneĩ peteĩ institución ohupyty hag̃ua nde dato ambue institución-gui, tetã dato ñemoambue rupive, peteĩ mba'erã ha peteĩ arange peve. Reipe'áramo, institución oguerekóva dato nomondovéima upe guive.
consents-empty = Nereme'ẽi gueteri mamove ñemoneĩ.
consents-withdrawn = Nde ñemoneĩ ojepe'áma. Avave institución ndaikatuvéima oiporu.
consent-row = { $client } ikatu ohupyty nde { $items } { $provider }-gui
consent-purpose = Mba'erã
consent-given = Oñeme'ẽ
consent-until = Peve
consent-state = Mba'éichapa oĩ
consent-state-active = Oiko
consent-state-withdrawn = Ojepe'a { $date }
consent-state-expired = Ohasáma arange
consent-withdraw = Eipe'a ko ñemoneĩ

## The exchange console (platform admins)
xadmin-title = Datos ñemoambue
xadmin-lead = Mávapepa ko plataforma omoambue datos, mba’e cliente ikatu ohenói mba’e servicio ha mba’ére, ha evento noñeme’ẽiva.
xadmin-members = Miembro
xadmin-members-api = Miembro oñemboheraguapy iclave pública reheve API rupive (PUT /exchange/v1/admin/members).
xadmin-this-deployment = ko plataforma
xadmin-grants = Ñemoneĩ
xadmin-grants-lead = Cliente ikatu ohenói servicio ñemoneĩ oikóva reheve añónte; consentimiento ha léi ojehechajey avei.
xadmin-no-grants = Ndaipóri gueteri ñemoneĩ.
xadmin-new-grant = Emoneĩ
xadmin-revoke = Embogue
xadmin-client-hint = Subsistema: INSTANCE/CLASS/MEMBER/SUBSYSTEM, techapyrã KR/GOV/1741000/petition.
xadmin-service-hint = INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE, techapyrã KR/GOV/1741000/tax/income-certificate.
xadmin-items-hint = Mba’e cliente ikatúva ohupyty, coma rupive.
xadmin-dead = Evento noñeme’ẽiva
xadmin-dead-lead = Evento noñeme’ẽiva suscriptor-pe. Eme’ẽ jey suscriptor oĩ jeývo.
xadmin-no-dead = Ndaipóri evento noñeme’ẽiva.
xadmin-replay = Eme’ẽ jey
xadmin-field-member = Miembro
xadmin-field-name = Téra
xadmin-field-url = Tenda
xadmin-field-client = Cliente
xadmin-field-service = Servicio
xadmin-field-purpose = Mba’ére
xadmin-field-items = Mba’e
xadmin-field-since = Guive
xadmin-field-event = Evento
xadmin-field-source = Ñepyrũha
xadmin-field-subscription = Suscripción
xadmin-field-attempts = Ñeha’ã
xadmin-field-error = Jejavy ipahaitéva
xadmin-field-id = Ñemoneĩ
xadmin-field-event-id = Evento
xadmin-field-subscription-id = Suscripción
xadmin-done-granted = Ñemoneĩ oikóma.
xadmin-done-revoked = Ñemoneĩ oñembogue.
xadmin-done-replayed = Oñemoĩ jey oñeme’ẽ hag̃ua.
