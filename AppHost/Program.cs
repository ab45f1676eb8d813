using ECommerce.AppHost.Hosting;

return await AppHostApplication.RunAsync(args).ConfigureAwait(false);
