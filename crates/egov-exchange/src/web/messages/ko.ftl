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

## The exchange console (platform admins)
xadmin-title = 데이터 연계
xadmin-lead = 이 배포가 데이터를 주고받는 기관, 어떤 클라이언트가 어떤 서비스를 왜 호출할 수 있는지, 전달에 실패한 이벤트입니다.
xadmin-members = 연계 기관
xadmin-members-api = 연계 기관은 공개키와 함께 API로 등록합니다 (PUT /exchange/v1/admin/members).
xadmin-this-deployment = 이 배포
xadmin-grants = 이용 허가
xadmin-grants-lead = 클라이언트는 유효한 허가가 있을 때, 허가된 목적과 항목에 대해서만 서비스를 호출할 수 있습니다. 동의와 법적 근거도 호출마다 확인합니다.
xadmin-no-grants = 아직 허가가 없습니다.
xadmin-new-grant = 허가하기
xadmin-revoke = 취소
xadmin-client-hint = 서브시스템: INSTANCE/CLASS/MEMBER/SUBSYSTEM. 예: KR/GOV/1741000/petition
xadmin-service-hint = INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE. 예: KR/GOV/1741000/tax/income-certificate
xadmin-items-hint = 받을 수 있는 항목을 쉼표로 구분합니다.
xadmin-dead = 전달 실패 이벤트
xadmin-dead-lead = 재시도 끝에 포기한 구독자 이벤트 전달입니다. 구독자가 복구되면 다시 전달하세요.
xadmin-no-dead = 전달 실패 이벤트가 없습니다.
xadmin-replay = 다시 전달
xadmin-field-member = 기관
xadmin-field-name = 이름
xadmin-field-url = 주소
xadmin-field-client = 클라이언트
xadmin-field-service = 서비스
xadmin-field-purpose = 목적
xadmin-field-items = 항목
xadmin-field-since = 허가일
xadmin-field-event = 이벤트
xadmin-field-source = 출처
xadmin-field-subscription = 구독
xadmin-field-attempts = 시도
xadmin-field-error = 마지막 오류
xadmin-field-id = 허가
xadmin-field-event-id = 이벤트
xadmin-field-subscription-id = 구독
xadmin-done-granted = 허가했습니다.
xadmin-done-revoked = 허가를 취소했습니다.
xadmin-done-replayed = 다시 전달하도록 넣었습니다.
