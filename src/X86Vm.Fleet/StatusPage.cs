using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace X86Vm.Fleet;

/// <summary>
/// The status page every silo can serve (<c>x86vm fleet silo --http PORT</c>): the silos, each VM (silo, status,
/// units, state hash, moves and resumes), counts per silo and status, and buttons to move or stop a VM. Plain HTML
/// rendered on the server, so the page shows the fleet as it was when loaded.
/// </summary>
static class StatusPage
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/", async (IGrainFactory grains) =>
            Results.Content(Render(await grains.GetGrain<IFleetGrain>(0).Silos(), await grains.GetGrain<IFleetGrain>(0).List()), "text/html; charset=utf-8"));
        app.MapPost("/vms/{id}/migrate", async (string id, HttpRequest request, IGrainFactory grains) =>
        {
            var form = await request.ReadFormAsync();
            string? to = form["to"].FirstOrDefault() is { Length: > 0 } silo ? silo : null;
            return await Act(() => grains.GetGrain<IVmGrain>(id).Migrate(to));
        }).DisableAntiforgery();
        app.MapPost("/vms/{id}/stop", (string id, IGrainFactory grains) => Act(() => grains.GetGrain<IVmGrain>(id).Stop())).DisableAntiforgery();
    }

    /// <summary>Does the action and goes back to the page; a refused action (an ended VM, an unknown silo) is one line.</summary>
    static async Task<IResult> Act(Func<Task> action)
    {
        try
        {
            await action();
            return Results.Redirect("/");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return Results.BadRequest(e.Message);
        }
    }

    static string Render(IReadOnlyList<string> silos, IReadOnlyList<VmStatus> vms)
    {
        static string H(object? text) => WebUtility.HtmlEncode(text?.ToString() ?? "");
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>x86vm fleet</title>")
            .Append("<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}")
            .Append("td.hash{font-family:monospace}</style></head><body><h1>x86vm fleet</h1>");
        html.Append("<h2>Silos</h2><table id=\"silos\"><tr><th>silo</th><th>VMs running</th></tr>");
        foreach (string silo in silos)
            html.Append($"<tr data-silo=\"{H(silo)}\"><td>{H(silo)}</td><td class=\"count\">{vms.Count(v => v.Silo == silo)}</td></tr>");
        html.Append("</table><h2>VMs</h2><p id=\"counts\">")
            .Append(H(string.Join(", ", vms.GroupBy(v => v.Phase).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"))))
            .Append($" ({vms.Count} in all)</p>");
        html.Append("<table id=\"vms\"><tr><th>id</th><th>silo</th><th>status</th><th>instructions</th><th>state hash</th><th>moves</th><th>resumes</th><th></th></tr>");
        foreach (VmStatus vm in vms)
        {
            html.Append($"<tr data-vm=\"{H(vm.Id)}\"><td>{H(vm.Id)}</td><td class=\"silo\">{H(vm.Silo ?? "-")}</td>")
                .Append($"<td class=\"status\">{H(vm.Phase.ToString().ToLowerInvariant())}</td><td class=\"instructions\">{vm.Instructions}</td>")
                .Append($"<td class=\"hash\">{H(vm.StateHash ?? "-")}</td><td class=\"moves\">{vm.Moves}</td><td class=\"resumes\">{vm.Resumes}</td><td>");
            if (!vm.Ended)
            {
                html.Append($"<form method=\"post\" action=\"/vms/{H(vm.Id)}/migrate\" style=\"display:inline\"><select name=\"to\"><option value=\"\">another silo</option>");
                foreach (string silo in silos.Where(s => s != vm.Silo)) html.Append($"<option>{H(silo)}</option>");
                html.Append("</select><button class=\"migrate\">move</button></form> ");
                if (vm.Phase == VmPhase.Running)
                    html.Append($"<form method=\"post\" action=\"/vms/{H(vm.Id)}/stop\" style=\"display:inline\"><button class=\"stop\">stop</button></form>");
            }
            html.Append("</td></tr>");
        }
        return html.Append("</table></body></html>").ToString();
    }
}
