## 행정정보 공동이용의 기관 이름 (국가 팩에서 바꿀 수 있음)
provider-tax = 국세청
provider-petition = 민원 포털
provider-docflow = 기록관

## 나의 동의 내역
my-consents = 나의 정보제공 동의
consents-title = 나의 정보제공 동의
consents-lead = 동의 하나마다 한 기관이 다른 기관에서 내 정보 일부를 행정정보 공동이용으로 받을 수 있습니다. 정해진 목적으로, 정해진 날까지만입니다. 동의를 철회하면 그때부터 정보를 가진 기관이 보내지 않습니다.
consents-empty = 아직 동의한 내역이 없습니다.
consents-withdrawn = 동의를 철회했습니다. 이제 어느 기관도 이 동의로 정보를 받을 수 없습니다.
consent-row = { $client }이(가) { $provider }에서 내 { $items } 정보를 받을 수 있음
consent-purpose = 목적
consent-given = 동의한 날
consent-until = 유효기간
consent-state = 상태
consent-state-active = 유효
consent-state-withdrawn = { $date } 철회함
consent-state-expired = 기간 만료
consent-withdraw = 이 동의 철회하기
