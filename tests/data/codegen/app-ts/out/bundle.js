productViewed({ product_id: "prd_1", price: 1, currency: "EUR" }); // ignored by .gitignore
