# Paquete de Paraguay: palabras de los datos y valores de las reglas tributarias en las páginas
# (tax-input-<nombre>, tax-value-<nombre>).
tax-name-irp_rsp = IRP - Rentas de servicios personales
tax-input-monthly_wages = Sueldo mensual
tax-input-annual_wages = Sueldos del año informados por los empleadores
tax-input-other_service_income = Otros ingresos por servicios personales (honorarios)
tax-input-deductible_expenses = Gastos personales y familiares deducibles (con factura electrónica)
tax-input-withheld_irp = IRP retenido en la fuente
tax-value-wages_total = Sueldos del año
tax-value-irp_computed = IRP calculado
tax-value-threshold = Umbral de ingresos
tax-value-ips_contribution = Aporte obrero al IPS
tax-value-gross_income = Ingresos brutos
tax-value-net_income = Renta neta
tax-value-irp = IRP a pagar
tax-value-balance = Saldo
