# Paraguay pack: ñe'ẽ umi dato ha valor regla tributaria-gui kuatiarogue-pe.
tax-name-irp_rsp = IRP - Servicio personal rehegua
tax-input-monthly_wages = Sueldo peteĩ jasy rehegua
tax-input-annual_wages = Sueldo ary pukukue empleador he'iva'ekue
tax-input-other_service_income = Ambue ingreso servicio personal rehegua (honorario)
tax-input-deductible_expenses = Gasto personal ha familiar ojededukíva (factura electrónica ndive)
tax-input-withheld_irp = IRP ojeretenéva
tax-value-wages_total = Sueldo ary pukukue
tax-value-ips_contribution = Aporte obrero IPS-pe
tax-value-gross_income = Ingreso bruto
tax-value-net_income = Renta neta
tax-value-irp_computed = IRP ojekalkuláva
tax-value-threshold = Umbral de ingresos
tax-value-irp = IRP ehepyme'ẽva'erã
tax-value-balance = Saldo
