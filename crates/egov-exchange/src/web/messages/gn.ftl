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
