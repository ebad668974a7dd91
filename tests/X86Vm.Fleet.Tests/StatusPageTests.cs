using PuppeteerSharp;

namespace X86Vm.Fleet.Tests;

/// <summary>
/// The silo's status page in a real headless browser (Debian's chromium, driven over the DevTools protocol): after a
/// move it shows the VM on its new silo with its move counted, and its move button moves the VM back.
/// </summary>
public sealed class StatusPageTests
{
    static string Chromium => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed (test.sh installs Debian's chromium)");

    [Fact]
    public async Task PageShowsAMovedVmAndMovesItBack()
    {
        string store = Directory.CreateTempSubdirectory("x86vm-fleet-page-").FullName;
        try
        {
            using var first = new FleetProcesses.Silo(store, page: true);
            using var second = new FleetProcesses.Silo(store, join: first.SiloPort);
            await using var client = await FleetClient.ConnectAsync(first.Gateway);
            // A stopped VM stays where it is put while the page is read.
            string id = await client.Fleet.Submit(FleetPrograms.Spec(1, "600"));
            await client.Vm(id).Stop();
            Assert.Equal(second.Name, await client.Vm(id).Migrate(second.Name));
            VmStatus status = (await client.Vm(id).GetStatus())!;

            await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
            await using var page = await browser.NewPageAsync();
            await page.GoToAsync(first.Page);
            string Cell(string column) => $"document.querySelector('tr[data-vm=\"{id}\"] td.{column}').textContent";
            Assert.Equal(second.Name, await page.EvaluateExpressionAsync<string>(Cell("silo")));
            Assert.Equal("stopped", await page.EvaluateExpressionAsync<string>(Cell("status")));
            Assert.Equal("1", await page.EvaluateExpressionAsync<string>(Cell("moves")));
            Assert.Equal(status.Instructions.ToString(), await page.EvaluateExpressionAsync<string>(Cell("instructions")));
            Assert.Equal(status.StateHash, await page.EvaluateExpressionAsync<string>(Cell("hash")));
            var silos = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#silos tr[data-silo]')].map(r => r.dataset.silo)");
            Assert.Equal(new[] { first.Name, second.Name }.Order(), silos.Order());
            Assert.Contains("1 stopped", await page.EvaluateExpressionAsync<string>("document.querySelector('#counts').textContent"));

            // The page's own move button, to the first silo.
            await page.SelectAsync($"tr[data-vm=\"{id}\"] select", first.Name);
            await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync($"tr[data-vm=\"{id}\"] button.migrate"));
            Assert.Equal(first.Name, await page.EvaluateExpressionAsync<string>(Cell("silo")));
            Assert.Equal("2", await page.EvaluateExpressionAsync<string>(Cell("moves")));
            Assert.Equal(status.StateHash, await page.EvaluateExpressionAsync<string>(Cell("hash"))); // the same state, moved
            await client.Vm(id).Delete();
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }
}
