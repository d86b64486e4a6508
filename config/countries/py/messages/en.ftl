# Paraguay pack: words for the tax rules' inputs and values on the pages.
tax-name-irp_rsp = Personal income tax (IRP, personal services)
tax-input-monthly_wages = Monthly salary
tax-input-annual_wages = Wages for the year reported by employers
tax-input-other_service_income = Other income from personal services (fees)
tax-input-deductible_expenses = Deductible personal and family expenses (with electronic invoices)
tax-input-withheld_irp = IRP withheld at source
tax-value-wages_total = Wages for the year
tax-value-ips_contribution = Employee's social security contribution (IPS)
tax-value-gross_income = Gross income
tax-value-net_income = Net income
tax-value-irp_computed = IRP computed
tax-value-threshold = Income threshold
tax-value-irp = IRP to pay
tax-value-balance = Balance
