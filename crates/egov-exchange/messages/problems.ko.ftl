# Problem titles of the exchange's error codes, Korean (see egov-core/messages).
problem-exchange-grant-not-found = 그런 유효한 이용 허가가 없습니다
problem-exchange-consent-not-found = 그런 유효한 동의가 없습니다
problem-exchange-no-person = 이 계정은 개인(주민등록번호)과 연결되어 있지 않습니다
problem-exchange-record-not-found = 그런 메시지 기록이 없습니다
problem-exchange-subscription-not-found = 그런 구독이 없습니다
problem-exchange-key-not-found = 폐기되지 않은 그런 키가 없습니다
problem-exchange-delivery-not-found = 배달 실패 목록에 그런 배달이 없습니다
problem-exchange-service-not-found = 그런 서비스가 없습니다

# Details (`detail-…`) in this language; the English is in the code.
detail-consent-days = 1부터 365까지여야 합니다
